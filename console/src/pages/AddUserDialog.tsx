// Add user: a managed user with a new SID, a name and an email; roles come after, from their
// Role Assignments tab (where this dialog leads).
import { useState, type FormEvent } from 'react';
import { addUser } from '../api/organization';
import { ErrorAlert } from '../components/Alerts';
import { Dialog } from '../components/Dialog';
import { setFlash } from '../components/flash';
import { navigate } from '../router';

/** A Twilio-style user SID: `US` and 32 random hex digits. */
function newUserSid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `US${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function AddUserDialog({ organization, onClose }: { organization: string; onClose: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<Error | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const id = newUserSid();
    try {
      await addUser(organization, { id, name: name.trim(), email: email.trim() });
      setFlash(`Added ${name.trim()}. Give them roles with Create role assignment.`);
      navigate(`/users/${id}/role-assignments`);
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <Dialog title="Add user" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <label htmlFor="new-user-name">Name</label>
        <input id="new-user-name" required value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        <label htmlFor="new-user-email">Email</label>
        <input id="new-user-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
        <ErrorAlert error={error} title="The server refused the change:" />
        <div className="dialog-actions">
          <button type="submit" className="button-primary">Add user</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
