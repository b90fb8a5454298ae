import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReportMarkdown } from './report-md.ts';
import { serializeReport, type Report } from './report-json.ts';

export interface WrittenReport {
  json: string;
  markdown: string;
  svgDir: string;
}

/**
 * Writes `report.json`, `report.md` and `charts/*.svg` into `outDir`. The JSON is validated
 * before anything is written, so a broken report never leaves a half-written directory behind.
 */
export async function writeReportFiles(outDir: string, report: Report): Promise<WrittenReport> {
  const json = serializeReport(report);
  const svgDir = join(outDir, 'charts');
  await mkdir(outDir, { recursive: true });
  const markdown = await renderReportMarkdown(report, { svgDir, svgHref: 'charts' });
  const paths = { json: join(outDir, 'report.json'), markdown: join(outDir, 'report.md'), svgDir };
  await writeFile(paths.json, json);
  await writeFile(paths.markdown, markdown);
  return paths;
}
