// The console demo: a user picker, and for every scope of the organization the actions a
// console offers, each button enabled or disabled by `authorizer.can(...)` and titled with the
// decision's reason.
import { Authorizer } from '../../npm/src/browser.js';

const ACTIONS = [
  ['View messages', 'messaging/messages/read'],
  ['Send messages', 'messaging/messages/send'],
  ['Buy numbers', 'phone-numbers/numbers/buy'],
  ['Edit Studio flows', 'studio/flows/update'],
  ['Manage users', 'iam/users/manage'],
  ['Assign roles', 'iam/role-assignments/create'],
  ['View billing', 'billing/invoices/read'],
];

const snapshotUrl = new URLSearchParams(location.search).get('snapshot') ?? 'acme.rgs';
// The engine and the snapshot, fetched in parallel.
const authorizer = await Authorizer.load(snapshotUrl, { allowUnsigned: true });
// The organization, then each account followed by its subaccounts.
const all = authorizer.scopes();
const scopes = all
  .filter((s) => s.level !== 'subaccount')
  .flatMap((s) => [s, ...all.filter((c) => c.level === 'subaccount' && c.parent === s.id)]);
const scopeName = Object.fromEntries(scopes.map((s) => [s.id, s.name]));
const roleName = (id) => authorizer.role(id).role.name;

document.querySelector('#snapshot').textContent =
  `${authorizer.organizationName} · snapshot revision ${authorizer.revision}`;

const picker = document.querySelector('#user');
for (const { user } of authorizer.searchUsers('')) {
  picker.append(new Option(`${user.name} <${user.email}>`, user.id));
}

function reason(decision) {
  const r = decision.reason;
  switch (r.kind) {
    case 'granted': return `Allowed: ${roleName(r.role)} at ${scopeName[r.scope]} (${r.assignment})`;
    case 'no-matching-assignment': return 'Denied: no role assignment grants this here';
    default: return `Denied: ${r.kind}`;
  }
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function render(user) {
  const table = document.querySelector('#actions');
  table.replaceChildren(el('tr', {}, el('th', {}, 'Scope'), ...ACTIONS.map(([label]) => el('th', {}, label))));
  for (const scope of scopes) {
    const row = el('tr', {}, el('td', { className: `scope ${scope.level}` }, scope.name, ' ', el('span', { className: 'level' }, scope.level)));
    for (const [label, permission] of ACTIONS) {
      const button = el('button', {
        disabled: !authorizer.can(user, permission, scope.id),
        title: reason(authorizer.check(user, permission, scope.id)),
      }, label);
      button.dataset.scope = scope.name;
      button.dataset.action = label;
      row.append(el('td', {}, button));
    }
    table.append(row);
  }
  const assignments = document.querySelector('#assignments');
  assignments.replaceChildren(el('tr', {}, el('th', {}, 'Scope'), el('th', {}, 'Roles'), el('th', {}, 'Resource')));
  for (const row of authorizer.userAssignments(user).rows) {
    assignments.append(el('tr', {},
      el('td', {}, row.scope.name),
      el('td', {}, row.roles.map((r) => r.name).join(', ')),
      el('td', {}, row.resource ? row.resource.name : '')));
  }
  document.body.dataset.user = user;
}

picker.addEventListener('change', () => render(picker.value));
render(picker.value);
document.body.dataset.ready = 'true';
