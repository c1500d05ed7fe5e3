import { useRef, useState } from 'react';

// What the admin pages share: a delete button that asks first, and the focus handling that
// keeps their forms usable from the keyboard.

// A delete button that asks once more before it acts: the question takes its place with
// "Yes, delete" and "Cancel"; Cancel gives the focus back to the button. note: what else goes
// (or stays); label: the button's text when "Delete" alone says too little.
export function ConfirmButton({ what, note, label = 'Delete', onConfirm }) {
  const [asking, setAsking] = useState(false);
  const button = useRef(null);
  if (!asking)
    return (
      <button ref={button} className="small" aria-label={`Delete ${what}`} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={`Confirm deleting ${what}`}>
      Delete {what}{note ? ` (${note})` : ''}?{' '}
      <button
        className="small danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, delete
      </button>
      <button
        className="small"
        autoFocus
        onClick={() => {
          setAsking(false);
          setTimeout(() => button.current?.focus());
        }}
      >
        Cancel
      </button>
    </span>
  );
}

// After "Edit" fills a form further down the page, the keyboard focus (and the view) moves to
// its first field that can be changed.
export function focusFirst(formRef) {
  setTimeout(() => formRef.current?.querySelector('input:not([readonly]), select:not([disabled])')?.focus());
}

// Back to an empty form for a new object, without the last message.
export function resetForm(setForm, empty, setError, setNotice) {
  setForm(empty);
  setError('');
  setNotice('');
}

// An admin page's messages and its act(what, done): runs what (a call to the server), then
// shows done and reloads the page's data, or shows the server's error. True when it worked.
export function useActions(reload) {
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  async function act(what, done) {
    setError('');
    setNotice('');
    try {
      await what();
      setNotice(done);
      await reload();
      return true;
    } catch (e) {
      setError(e.message);
      return false;
    }
  }
  return { error, setError, notice, setNotice, act };
}
