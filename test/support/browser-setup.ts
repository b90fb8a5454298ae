// Global setup of the browser projects, run in Node before any page opens:
// 1. fail the run, loudly and with install advice, when there is no Chromium (never skip);
// 2. compute the Node side of the parity tests, so the page can compare its own results
//    with what the pipeline computes from the same src/core code.
import type { TestProject } from 'vitest/node';
import { findChromium } from './chromium.ts';
import { nodeReference } from './node-reference.ts';

export default function setup(project: TestProject): void {
  findChromium();
  project.provide('nodeReference', nodeReference());
}
