# Sign-up and a forgotten password (src/pages/signup.rs, docs/accounts.md).
signup-title = Create an account
signup-user-name = User name
signup-user-name-hint = 3 to 20 letters and digits
signup-full-name = Your name
signup-email = E-mail address
signup-password-hint = 4 to 20 characters
signup-submit = Create account
signup-have-account = Already have an account? Log in
signup-closed = This server does not take new accounts.
signup-done = Your account was created. We sent an activation link to your e-mail address: follow it, then log in.
reset-title = Forgotten password
reset-intro = Give your user name or e-mail address: we mail you a link to choose a new password.
reset-submit = Send the link
reset-sent = If that is an account here, a link is on its way to its e-mail address. It works once, for { $minutes } minutes.
reset-link-gone = This link has expired or was used already.
reset-again = Ask for a new link
reset-done = Your password was changed and every session of your account was ended. Log in with the new password.
