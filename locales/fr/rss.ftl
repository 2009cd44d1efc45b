# Le flux RSS d'un dossier partagé, /rss/{id} (src/pages/rss.rs).
rss-shared-folder = Dossier partagé
rss-description = Fichiers partagés dans le dossier { $name }
