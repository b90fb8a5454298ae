/** Waits for SIGINT or SIGTERM, then closes what `close` closes: how `serve` and `start` end. */
export async function untilSignal(command: string, close: () => Promise<void>): Promise<void> {
  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      console.error(`ondeck ${command}: ${signal}, shutting down`);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await close();
}
