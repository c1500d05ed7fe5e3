import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { loggedIn, logout, whenSessionEnds } from './api.js';
import AdminConsole from './AdminConsole.jsx';
import EnrollmentPage from './EnrollmentPage.jsx';
import Login from './Login.jsx';
import Tokens from './Tokens.jsx';
import './style.css';

function App() {
  const [user, setUser] = useState(
    loggedIn()
      ? { username: sessionStorage.getItem('tessera.user'), role: sessionStorage.getItem('tessera.role') }
      : null,
  );
  const [notice, setNotice] = useState(''); // why the login form is back
  useEffect(
    () =>
      whenSessionEnds((why) => {
        setUser(null);
        setNotice(why);
      }),
    [],
  );
  if (!user) {
    return (
      <Login
        notice={notice}
        onLogin={(who) => {
          setNotice('');
          sessionStorage.setItem('tessera.user', who.username);
          sessionStorage.setItem('tessera.role', who.role);
          setUser(who);
        }}
      />
    );
  }
  return (
    <>
      <header>
        <span className="brand">Tessera</span>
        <span>
          {user.username}{' '}
          <button
            className="link"
            onClick={async () => {
              await logout();
              setUser(null);
              setNotice('You have logged out.');
            }}
          >
            Log out
          </button>
        </span>
      </header>
      <main className={user.role === 'admin' ? 'wide' : undefined}>
        {user.role === 'admin' ? <AdminConsole /> : <Tokens />}
      </main>
    </>
  );
}

// On a narrow screen a table's rows become cards (style.css), each cell under its column's
// heading: the headings are copied onto the cells as data-label whenever a table changes.
function labelCells() {
  for (const table of document.querySelectorAll('table')) {
    const headings = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    for (const row of table.querySelectorAll('tbody tr'))
      [...row.children].forEach((cell, i) => {
        if (headings[i] && cell.dataset.label !== headings[i]) cell.dataset.label = headings[i];
      });
  }
}
new MutationObserver(labelCells).observe(document.body, { childList: true, subtree: true });

// /enroll/<extension> is an enrollment form's public page: no login.
const enrollment = window.location.pathname.match(/^\/enroll\/([A-Za-z0-9_-]+)$/);

createRoot(document.getElementById('root')).render(
  <StrictMode>{enrollment ? <EnrollmentPage extension={enrollment[1]} /> : <App />}</StrictMode>,
);
