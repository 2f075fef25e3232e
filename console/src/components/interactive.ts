// Marks the moment the console first becomes usable — permissions verified, the first page's
// data on screen — as a User Timing mark, `console-interactive`, which scripts/measure.mjs
// reads as the time to interactive.
let marked = false;

export function markInteractive(): void {
  if (marked) return;
  marked = true;
  performance.mark('console-interactive');
}
