# Le lien d'activation d'un compte, /activate/{token} (src/pages/activate.rs).
activate-title = Compte activé
activate-done = Le compte { $name } est actif. Vous pouvez maintenant vous connecter.
activate-log-in = Se connecter
activate-unknown-title = Lien d'activation inconnu
activate-unknown = Ce lien d'activation est inconnu ou a déjà été utilisé.
activate-failed = Le serveur n'a pas pu activer le compte pour le moment.
