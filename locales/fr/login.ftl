# La page de connexion et les formulaires refusés (src/pages/web.rs).
login-title = Connexion
login-user-name = Nom d'utilisateur ou adresse e-mail
login-password = Mot de passe
login-submit = Se connecter
login-form-expired = Le formulaire a expiré ; veuillez réessayer.
login-wait = Trop de connexions échouées ; attendez { $seconds ->
        [one] { $seconds } seconde
       *[other] { $seconds } secondes
    }.
login-wrong = Nom d'utilisateur ou mot de passe incorrect.
login-unavailable = La connexion est impossible pour le moment.
login-logout-unavailable = La déconnexion est impossible pour le moment.
login-not-logged-out = Non déconnecté
login-refused-title = Requête refusée
login-refused-text = Le formulaire a expiré ou ne provient pas de ce site ; rechargez la page et réessayez.
login-forgot = Mot de passe oublié ?
login-signup = Créer un compte
