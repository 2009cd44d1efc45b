# Le lien de suppression d'un fichier, /delete/{id}/{secret} (src/pages/delete.rs).
delete-unavailable = Cette page ne peut pas être affichée pour le moment.
delete-failed = Le fichier n'a pas pu être supprimé pour le moment.
delete-title = Supprimer le fichier
delete-question = Supprimer définitivement { $name } ? Cette action est irréversible.
delete-button = Supprimer
delete-keep = Le conserver
delete-done-title = Fichier supprimé
delete-done = { $name } a été supprimé.
