# The login page and the forms' refusals (src/pages/web.rs).
login-title = Log in
login-user-name = User name or e-mail
login-password = Password
login-submit = Log in
login-form-expired = The form expired; try again.
login-wait = Too many failed logins; wait { $seconds ->
        [one] { $seconds } second
       *[other] { $seconds } seconds
    }.
login-wrong = Wrong user name or password.
login-unavailable = Logging in is not possible right now.
login-logout-unavailable = Logging out is not possible right now.
login-not-logged-out = Not logged out
login-refused-title = Request refused
login-refused-text = The form expired or did not come from this site; reload the page and try again.
login-forgot = Forgot your password?
login-signup = Create an account
