// Small steps the console's tests share: searching, opening a user's tabs, waiting for the
// dry run, reading rows — each as an administrator would do it, by clicking.
import assert from 'node:assert/strict';

export async function searchUsers(page, text) {
  await page.getByLabel('Search users').fill(text);
  await page.getByLabel('Search users').press('Enter');
  // The search lives in the address: the answer counted below is this search's, not the last.
  await page.waitForURL((url) => url.searchParams.get('q') === text.trim());
  await page.getByRole('status').filter({ hasText: /users? found/ }).waitFor();
}

export async function listedUsers(page) {
  return page.locator('.users-table tbody th a').allTextContents();
}

export async function openRoleAssignments(page, name) {
  await page.getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await page.getByRole('link', { name: 'Role Assignments' }).click();
  await page.getByRole('heading', { name: 'Role Assignments' }).waitFor();
}

/** The Role Assignments rows: scope, resource (or null), and role names. */
export async function assignmentRows(page) {
  return page.locator('.assignments-table tbody tr').evaluateAll((rows) => rows.map((tr) => ({
    scope: tr.getAttribute('data-scope'),
    resource: tr.getAttribute('data-resource'),
    scopeName: tr.querySelector('th').childNodes[0].textContent.trim(),
    roles: [...tr.querySelectorAll('td:nth-of-type(3) li')].map((li) => li.childNodes[0].textContent.trim()),
  })));
}

/** Waits for the dry run to finish and returns its section's text. */
export async function verdictText(scope) {
  const verdict = scope.locator('.verdict');
  await verdict.locator('.verdict-accepted, .verdict-refused').first().waitFor();
  return verdict.innerText();
}

export async function goToUsers(page) {
  await page.getByRole('navigation', { name: 'Organization settings' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { level: 1, name: 'User management' }).waitFor();
}

/** What the organization's API says a user holds: "role@scope[:resource]" sorted. */
export async function holdings(server, user) {
  const entry = await server.api.get(`/users/${user}`);
  return entry.rows.flatMap((row) => row.roles.map((r) => `${r.id}@${row.scope.id}${row.resource ? `:${row.resource.id}` : ''}`)).sort();
}

export function assertNoSerious(violations, where) {
  assert.deepEqual(violations, [], `axe-core: serious or critical violations on ${where}`);
}
