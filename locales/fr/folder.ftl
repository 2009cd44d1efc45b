# La page d'un dossier partagé, /folder/{id} (src/pages/folder.rs).
folder-unavailable = Ce dossier ne peut pas être affiché pour le moment.
folder-empty = Ce dossier est vide.
folder-name = Nom
folder-size = Taille
folder-uploaded = Envoyé le
folder-shared = Dossier partagé
folder-rss = Flux RSS
