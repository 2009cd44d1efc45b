# The recipients' pages of file_send, /s/{token} (src/file_send/links.rs).
recipient-expired-title = Link expired
recipient-expired = This link has expired. Ask the sender to send the files again.
recipient-unavailable = This link cannot be opened right now.
recipient-login-title = Log in to see the files
recipient-login-lead = These files were sent to your account. Log in to see them.
recipient-nothing-left = Nothing is left to download.
recipient-title = Files sent to you
recipient-for = For { $email }
recipient-file = File
recipient-size = Size
recipient-other-title = Not for this account
recipient-other = These files were sent to another user. Only that user can open this link.
recipient-download-unavailable = This file cannot be downloaded right now.
recipient-two-factor = This account logs in with two-factor login: log in on the login page first, then open this link again.
