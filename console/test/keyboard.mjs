// Keyboard-only driving: Tab until focus is on the control wanted, then Enter, Space, arrows
// or typing — never a click, never focusing by script.

/** "role|name" of the focused element, as a keyboard user would meet it. */
function focused() {
  const el = document.activeElement;
  if (!el || el === document.body) return 'body|';
  const role = el.getAttribute('role') ?? (el.tagName === 'INPUT' ? `input-${el.type}` : el.tagName.toLowerCase());
  const name = el.getAttribute('aria-label') ?? (el.labels?.[0]?.textContent ?? el.textContent ?? '');
  return `${role}|${name.replace(/\s+/g, ' ').trim()}`;
}

/** Presses Tab until the focused element's "role|name" matches `pattern`; fails after `max`. */
export async function tabTo(page, pattern, max = 120) {
  const seen = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const now = await page.evaluate(focused);
    if (pattern.test(now)) return now;
    seen.push(now);
  }
  throw new Error(`Tab never reached ${pattern}; focus went through:\n${seen.slice(0, 60).join('\n')}`);
}

export const focusedElement = (page) => page.evaluate(focused);
