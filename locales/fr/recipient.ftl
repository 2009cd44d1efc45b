# Les pages des destinataires de file_send, /s/{token} (src/file_send/links.rs).
recipient-expired-title = Lien expiré
recipient-expired = Ce lien a expiré. Demandez à l'expéditeur de renvoyer les fichiers.
recipient-unavailable = Ce lien ne peut pas être ouvert pour le moment.
recipient-login-title = Connectez-vous pour voir les fichiers
recipient-login-lead = Ces fichiers ont été envoyés à votre compte. Connectez-vous pour les voir.
recipient-nothing-left = Il ne reste rien à télécharger.
recipient-title = Fichiers qui vous ont été envoyés
recipient-for = Pour { $email }
recipient-file = Fichier
recipient-size = Taille
recipient-other-title = Pas pour ce compte
recipient-other = Ces fichiers ont été envoyés à un autre utilisateur. Seul celui-ci peut ouvrir ce lien.
recipient-download-unavailable = Ce fichier ne peut pas être téléchargé pour le moment.
recipient-two-factor = Ce compte se connecte avec la double authentification : connectez-vous d'abord sur la page de connexion, puis rouvrez ce lien.
