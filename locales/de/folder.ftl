# Die Seite eines freigegebenen Ordners, /folder/{id} (src/pages/folder.rs).
folder-unavailable = Dieser Ordner kann gerade nicht angezeigt werden.
folder-empty = Dieser Ordner ist leer.
folder-name = Name
folder-size = Größe
folder-uploaded = Hochgeladen
folder-shared = Freigegebener Ordner
folder-rss = RSS-Feed
