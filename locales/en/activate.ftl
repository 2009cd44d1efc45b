# The account activation link, /activate/{token} (src/pages/activate.rs).
activate-title = Account activated
# $name is the account's name, in bold.
activate-done = The account { $name } is active. You can log in now.
activate-log-in = Log in
activate-unknown-title = Unknown activation link
activate-unknown = This activation link is unknown or was already used.
activate-failed = The server could not activate the account right now.
