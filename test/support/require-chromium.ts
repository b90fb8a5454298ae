// Global setup of the browser projects: fail the run, loudly and with advice, when there is no
// Chromium, instead of letting the provider die with a path error (or a test silently skip).
import { findChromium } from './chromium.ts';

export default function setup(): void {
  findChromium();
}
