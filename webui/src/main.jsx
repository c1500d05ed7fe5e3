import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { loggedIn, logout } from './api.js';
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
  if (!user) {
    return (
      <Login
        onLogin={(who) => {
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

// /enroll/<extension> is an enrollment form's public page: no login.
const enrollment = window.location.pathname.match(/^\/enroll\/([A-Za-z0-9_-]+)$/);

createRoot(document.getElementById('root')).render(
  <StrictMode>{enrollment ? <EnrollmentPage extension={enrollment[1]} /> : <App />}</StrictMode>,
);
