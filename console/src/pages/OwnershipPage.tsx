// Account ownership: every account has exactly one Owner, whose assignment cannot be deleted
// from the Role Assignments tab; it changes hands here, by transfer.
import { useState, type FormEvent } from 'react';
import { useCan } from 'rolegate/react';
import { getScopes, searchUsers, transferOwner, transferOwnerDryRun } from '../api/organization';
import type { Account, DirectoryEntry } from '../api/types';
import { PERMISSION } from '../access/permissions';
import { ErrorAlert, Loading, Notice } from '../components/Alerts';
import { Dialog } from '../components/Dialog';
import { Page } from '../components/Page';
import { Verdict } from '../components/Verdict';
import { useDryRuns } from '../hooks/useDryRuns';
import { useFetched } from '../hooks/useFetched';
import { useSession } from '../session/SessionContext';

export function OwnershipPage() {
  const { organization } = useSession();
  const scopes = useFetched(() => getScopes(organization.id), [organization.id]);
  const [open, setOpen] = useState<Account | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <Page title="Account ownership" trail="Settings › Organization settings">
      <p className="lede">Each account has exactly one Owner. Ownership moves by transfer: the new Owner takes the account's Owner role from the old one.</p>
      {notice && <Notice>{notice}</Notice>}
      <ErrorAlert error={scopes.error} />
      {!scopes.data && scopes.loading && <Loading what="accounts" />}
      {scopes.data && (
        <table className="table">
          <caption className="visually-hidden">Accounts and their Owners</caption>
          <thead>
            <tr><th scope="col">Account</th><th scope="col">Owner</th><th scope="col">Subaccounts</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {scopes.data.accounts.map((a) => <AccountRow key={a.id} account={a} onTransfer={() => setOpen(a)} />)}
          </tbody>
        </table>
      )}
      {open && (
        <TransferDialog
          organization={organization.id}
          account={open}
          onClose={() => setOpen(null)}
          onDone={async (message) => {
            setOpen(null);
            await scopes.reload();
            setNotice(message);
          }}
        />
      )}
    </Page>
  );
}

function AccountRow({ account, onTransfer }: { account: Account; onTransfer: () => void }) {
  const canTransfer = useCan(PERMISSION.transferOwnership, account.id);
  const hint = `transfer-hint-${account.id}`;
  return (
    <tr data-account={account.id}>
      <th scope="row">{account.name}<div className="sid muted">{account.id}</div></th>
      <td>{account.owner ? account.owner.name : <span className="muted">None</span>}</td>
      <td>{account.subaccounts.map((s) => s.name).join(', ') || <span className="muted">None</span>}</td>
      <td>
        <button type="button" onClick={onTransfer} disabled={!canTransfer} aria-label={`Transfer ownership of ${account.name}`} aria-describedby={canTransfer ? undefined : hint}>
          Transfer ownership
        </button>
        {!canTransfer && <div id={hint} className="hint">Needs iam/ownership/transfer on this account</div>}
      </td>
    </tr>
  );
}

function TransferDialog({ organization, account, onClose, onDone }: { organization: string; account: Account; onClose: () => void; onDone: (message: string) => Promise<void> }) {
  const [text, setText] = useState('');
  const [found, setFound] = useState<DirectoryEntry[] | null>(null);
  const [to, setTo] = useState<DirectoryEntry | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const verdict = useDryRuns(to ? () => transferOwnerDryRun(organization, account.id, to.user.id).then((run) => [run]) : null, to?.user.id ?? '');

  const find = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      setFound((await searchUsers(organization, { q: text.trim(), pageSize: 10 })).users);
    } catch (e) {
      setError(e as Error);
    }
  };

  const transfer = async () => {
    if (!to) return;
    setError(null);
    try {
      await transferOwner(organization, account.id, to.user.id);
      await onDone(`${to.user.name} is now the Owner of ${account.name}.`);
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <Dialog title={`Transfer ownership of ${account.name}`} onClose={onClose}>
      <p>Current Owner: <strong>{account.owner?.name ?? 'none'}</strong>.</p>
      <form className="form inline-form" onSubmit={find}>
        <label htmlFor="new-owner-search">Find the new Owner</label>
        <input id="new-owner-search" type="search" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit">Find</button>
      </form>
      {found && (
        <fieldset>
          <legend>New Owner</legend>
          {found.length === 0 && <p>No users match.</p>}
          {found.map((e) => (
            <label key={e.user.id} className="choice">
              <input type="radio" name="new-owner" checked={to?.user.id === e.user.id} onChange={() => setTo(e)} />
              {e.user.name} <span className="muted">{e.user.email}</span>
            </label>
          ))}
        </fieldset>
      )}
      <Verdict runs={verdict.runs} checking={verdict.checking} error={verdict.error} />
      <ErrorAlert error={error} title="The server refused the change:" />
      <div className="dialog-actions">
        <button type="button" className="button-primary" onClick={() => void transfer()} disabled={!to}>Transfer ownership</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}
