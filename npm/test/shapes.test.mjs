// The declarations cannot drift from what the engine returns: every answer of every API on
// the demo organization is walked beside the type `index.d.ts` declares for it, and each
// object's keys must be exactly the declared properties (optional ones may be absent).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { Authorizer } from '../src/node.js';
import { acmeSnapshot, people, places, groups } from './helpers.mjs';

const source = ts.createSourceFile('index.d.ts', readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8'), ts.ScriptTarget.Latest, true);

/** Every declared interface and type alias, by name. */
const declared = new Map();
source.forEachChild((node) => {
  if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) declared.set(node.name.text, node);
});

/** The object shapes a type node allows: [{ props: Map<name, {type, optional}> }] (one per
 * union member that is an object), or null for a non-object type (string, number, …). */
function shapes(type) {
  if (!type) return null;
  if (ts.isParenthesizedTypeNode(type)) return shapes(type.type);
  if (ts.isTypeReferenceNode(type)) {
    const name = type.typeName.getText(source);
    if (name === 'Readonly') return shapes(type.typeArguments[0]);
    const node = declared.get(name);
    if (!node) return null;
    if (ts.isInterfaceDeclaration(node)) return [members(node.members)];
    return shapes(node.type);
  }
  if (ts.isTypeLiteralNode(type)) return [members(type.members)];
  if (ts.isUnionTypeNode(type)) {
    const objects = type.types.flatMap((t) => shapes(t) ?? []);
    return objects.length ? objects : null;
  }
  if (ts.isIntersectionTypeNode(type)) {
    const parts = type.types.map(shapes).filter(Boolean).map((s) => s[0]);
    return [{ props: new Map(parts.flatMap((p) => [...p.props])) }];
  }
  return null;
}

function members(list) {
  const props = new Map();
  for (const m of list) {
    if (ts.isPropertySignature(m)) props.set(m.name.getText(source), { type: m.type, optional: !!m.questionToken });
  }
  return { props };
}

function elementType(type) {
  if (ts.isArrayTypeNode(type)) return type.elementType;
  if (ts.isUnionTypeNode(type)) return type.types.map(elementType).find(Boolean);
  return null;
}

/** Asserts `value` fits `type`; `path` names where, for messages. */
function check(value, type, path) {
  if (Array.isArray(value)) {
    const element = elementType(type);
    assert.ok(element, `${path}: an array where ${type.getText(source)} is declared`);
    value.forEach((v, i) => check(v, element, `${path}[${i}]`));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const options = shapes(type);
  assert.ok(options, `${path}: an object where ${type.getText(source)} is declared`);
  const keys = Object.keys(value).sort();
  const fits = options.find((o) => {
    const required = [...o.props].filter(([, p]) => !p.optional).map(([k]) => k);
    return keys.every((k) => o.props.has(k)) && required.every((k) => keys.includes(k));
  });
  assert.ok(fits, `${path}: keys ${keys.join(', ')} match none of ${type.getText(source)}`);
  for (const k of keys) check(value[k], fits.props.get(k).type, `${path}.${k}`);
}

/** The declared return type of `method` of class Authorizer. */
function returns(method) {
  const cls = [...source.statements].find((s) => ts.isClassDeclaration(s) && s.name?.text === 'Authorizer');
  const m = cls.members.find((x) => x.name?.getText(source) === method);
  assert.ok(m, `Authorizer.${method} is not declared`);
  return m.type;
}

const acme = Authorizer.fromSnapshot(acmeSnapshot(), { allowUnsigned: true });

test('every answer has exactly the keys index.d.ts declares', () => {
  const answers = {
    check: [acme.check(people.paul, 'voice/calls/create', places['Production EU']),
      acme.check(people.gary, 'billing/invoices/read', places.acme, groups['EMEA billing']),
      acme.check(people.paul, 'voice/calls/create', places.Marketing)],
    explain: [acme.explain(people.dana, 'studio/flows/update', places['Production EU']),
      acme.explain(people.paul, 'messaging/messages/send', places.Marketing)],
    permissions: [acme.permissions(people.paul, places.Production)],
    whoCan: [acme.whoCan('iam/ownership/transfer', places.Production)],
    scopesWith: [acme.scopesWith(people.dana, 'studio/flows/update')],
    searchUsers: [acme.searchUsers(''), acme.searchUsers('production eu')],
    userAssignments: [acme.userAssignments(people.gary), acme.userAssignments(people.dana)],
    roles: [acme.roles()],
    role: [acme.role('studio-admin'), acme.role('billing-group-viewer')],
    scopes: [acme.scopes()],
    catalog: [acme.catalog()],
  };
  let walked = 0;
  for (const [method, values] of Object.entries(answers)) {
    for (const value of values) {
      check(value, returns(method), method);
      walked += 1;
    }
  }
  assert.equal(walked, 17);
});

test('no returned key is snake_case', () => {
  const seen = new Set();
  const walk = (v) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { seen.add(k); walk(x); }
  };
  walk([acme.explain(people.paul, 'messaging/messages/send', places.Marketing), acme.roles(), acme.role('billing-group-admin'),
    acme.searchUsers(''), acme.whoCan('iam/users/read', places.acme), acme.scopes()]);
  assert.ok(seen.has('wouldGrant') && seen.has('lowestLevel') && seen.has('resourceTypes') && seen.has('assignableAt'));
  assert.deepEqual([...seen].filter((k) => k.includes('_')), []);
});

test('the check fails when a declaration drifts', () => {
  // The walker itself: an extra or a missing key is caught.
  const decision = acme.check(people.paul, 'voice/calls/create', places['Production EU']);
  assert.throws(() => check({ ...decision, extra: 1 }, returns('check'), 'check'));
  const { revision, ...missing } = decision;
  void revision;
  assert.throws(() => check(missing, returns('check'), 'check'));
});
