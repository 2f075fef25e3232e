// The page every plain-JS bundler fixture builds: load the snapshot the URL names (with the
// engine, in parallel), answer the questions the test server lists, and show the result — or
// the error's code, never a white page.
//   ?snapshot=/snapshots/acme.rgs   (default)
export async function run({ Authorizer, RolegateError }) {
  const params = new URLSearchParams(location.search);
  const snapshot = params.get('snapshot') ?? '/snapshots/acme.rgs';
  try {
    const authorizer = await Authorizer.load(snapshot, { allowUnsigned: true });
    const questions = await (await fetch('/snapshots/questions.json')).json();
    const answers = questions.map(([user, permission, scope, resource]) => authorizer.check(user, permission, scope, resource));
    document.querySelector('#result').textContent = JSON.stringify({ revision: authorizer.revision, answers });
    document.body.dataset.state = 'done';
  } catch (e) {
    document.querySelector('#error').textContent = `${e.code}: ${e.message}`;
    document.body.dataset.code = e.code;
    document.body.dataset.typed = String(e instanceof RolegateError);
    document.body.dataset.state = 'error';
  }
}
