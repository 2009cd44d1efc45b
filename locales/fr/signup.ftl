# Inscription et mot de passe oublié (src/pages/signup.rs, docs/accounts.md).
signup-title = Créer un compte
signup-user-name = Nom d'utilisateur
signup-user-name-hint = 3 à 20 lettres et chiffres
signup-full-name = Votre nom
signup-email = Adresse e-mail
signup-password-hint = 4 à 20 caractères
signup-submit = Créer le compte
signup-have-account = Déjà un compte ? Connectez-vous
signup-closed = Ce serveur n'accepte pas de nouveaux comptes.
signup-done = Votre compte a été créé. Nous avons envoyé un lien d'activation à votre adresse e-mail : suivez-le, puis connectez-vous.
reset-title = Mot de passe oublié
reset-intro = Indiquez votre nom d'utilisateur ou votre adresse e-mail : nous vous envoyons un lien pour choisir un nouveau mot de passe.
reset-submit = Envoyer le lien
reset-sent = Si ce compte existe ici, un lien est en route vers son adresse e-mail. Il fonctionne une fois, pendant { $minutes } minutes.
reset-link-gone = Ce lien a expiré ou a déjà été utilisé.
reset-again = Demander un nouveau lien
reset-done = Votre mot de passe a été changé et toutes les sessions de votre compte ont été fermées. Connectez-vous avec le nouveau mot de passe.
