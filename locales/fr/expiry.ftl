# Le lien de prolongation d’un avertissement d’expiration, /extend/…
# (src/pages/extend.rs), et « Prolonger » et la corbeille de Mes fichiers.
extend-title = Garder plus longtemps
extend-question = { $name } expire le { $date }. Le garder plus longtemps ?
extend-button = Prolonger
extend-done-title = Prolongé
extend-done = { $name } expire désormais le { $date }.
extend-invalid-title = Lien non valide
extend-invalid = Ce lien n’est plus valide : l’élément a expiré, a déjà été prolongé, ou le lien est incomplet.
extend-unavailable = Cette page ne peut pas être affichée pour le moment.
my-files-extend = Prolonger
trash-title = Corbeille
trash-link = Corbeille
trash-empty = La corbeille est vide.
trash-intro = Les fichiers supprimés ou expirés restent ici jusqu’à leur suppression définitive ; restaurez-les avant.
trash-name = Nom
trash-size = Taille
trash-when = Supprimé
trash-purge = Supprimé définitivement le
trash-reason-deleted = supprimé
trash-reason-expired = expiré
trash-restore = Restaurer
trash-delete = Supprimer définitivement
trash-restored = Le fichier a été restauré.
trash-purged = Le fichier a été supprimé définitivement.
trash-over-quota = Pas assez d’espace disque pour restaurer ce fichier.
delete-question-trash = Supprimer { $name } ? Le fichier reste un temps dans la corbeille de son propriétaire et peut y être restauré.
