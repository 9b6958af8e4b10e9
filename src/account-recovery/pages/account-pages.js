// The account pages (password reset, email verification). No framework, no inline code: the
// strict CSP (script-src 'self') allows this file and nothing else.
'use strict';

(() => {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const token = params.get('token');
  const revert = params.get('action') === 'revert';
  // The token has done its job in the address bar: keep it out of history and bookmarks.
  if (window.location.hash) {
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }

  const message = document.getElementById('message');
  const show = (text, kind) => {
    message.textContent = text;
    message.className = kind;
  };

  /** POSTs JSON next to this page; answers null on success, or the API's error details. */
  const post = async (path, body) => {
    let response;
    try {
      response = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      return 'The service could not be reached. Check your connection and try again.';
    }
    if (response.ok) return null;
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      // not problem details: fall through to the status
    }
    const details = Array.isArray(problem.errors)
      ? problem.errors.map((error) => error.detail)
      : [];
    return (
      [...new Set(details.length ? details : [problem.detail])].filter(Boolean).join(' ') ||
      `The request failed (HTTP ${response.status}).`
    );
  };

  if (!token) {
    show('This link is incomplete. Open it exactly as it appears in the mail.', 'error');
    return;
  }

  const page = document.body.dataset.page;
  const submit = document.getElementById('submit');

  if (page === 'reset') {
    const form = document.getElementById('reset-form');
    const password = document.getElementById('new-password');
    const confirm = document.getElementById('confirm-password');
    form.hidden = false;
    password.focus();
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (password.value !== confirm.value) {
        show('The two passwords differ. Type the same password twice.', 'error');
        return;
      }
      submit.disabled = true;
      show('Saving…', '');
      const error = await post('reset', { token, new_password: password.value });
      submit.disabled = false;
      if (error) {
        show(error, 'error');
        return;
      }
      form.hidden = true;
      show(
        'Your password is changed. Every device was logged out: log in again with the new password.',
        'success',
      );
    });
  }

  if (page === 'verify') {
    const form = document.getElementById('verify-form');
    if (revert) {
      document.getElementById('title').textContent = 'Undo the change of address';
      document.getElementById('explain').textContent =
        'Press the button to put this address back on your account, log every device out and stop the current password from working.';
    }
    form.hidden = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      submit.disabled = true;
      const error = await post('verify', { token });
      if (error) {
        submit.disabled = false;
        show(error, 'error');
        return;
      }
      form.hidden = true;
      show(
        revert
          ? 'Done: the address is back and every device was logged out. Set a new password with the link now on its way to this address.'
          : 'Done: your address is confirmed.',
        'success',
      );
    });
  }
})();
