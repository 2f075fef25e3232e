// Compiled by the fixture's `tsc` (never run): rolegate/react's declarations, from the packed
// tarball, accept what the console will write and refuse misuse (each @ts-expect-error fails
// the build if its line starts compiling).
import type { ReactNode } from 'react';
import { Authorizer, SnapshotLoader, type Decision, type LoaderStatus } from 'rolegate';
import { Can, RolegateProvider, useAuthorizer, useCan, useCheck, useRolegateStatus } from 'rolegate/react';

declare const loader: SnapshotLoader;
declare const authorizer: Authorizer;
declare const routeScope: string | undefined;

export function Usage(): ReactNode {
  const allowed: boolean = useCan('studio/flows/update', routeScope);
  const withResource: boolean = useCan('billing/invoices/read', 'OR1', { type: 'billing-group', id: 'BG1' });
  const decision: Decision | null = useCheck('iam/users/read', 'OR1', 'billing-group:BG1');
  const current: Authorizer | null = useAuthorizer();
  const status: LoaderStatus = useRolegateStatus();
  const code: string | undefined = status.error?.code;
  void [allowed, withResource, decision, current, code];
  // @ts-expect-error: a permission is required
  useCan();
  // @ts-expect-error: resources are { type, id } or "type:id"
  useCan('p', 's', { kind: 'billing-group' });
  return (
    <>
      <RolegateProvider source={loader} user="US1">
        <Can permission="iam/users/read" scope="OR1" fallback={<span>no</span>}>yes</Can>
        <Can permission="iam/users/read" scope={routeScope}>{(ok) => <button disabled={!ok}>Go</button>}</Can>
      </RolegateProvider>
      <RolegateProvider source={authorizer} user={undefined} />
      <RolegateProvider source={null} user="US1" />
      {/* @ts-expect-error: the source is an Authorizer or a SnapshotLoader */}
      <RolegateProvider source={Promise.resolve(authorizer)} user="US1" />
      {/* @ts-expect-error: <Can> needs a scope */}
      <Can permission="iam/users/read">x</Can>
    </>
  );
}
