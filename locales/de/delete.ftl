# Der Löschlink einer Datei, /delete/{id}/{secret} (src/pages/delete.rs).
delete-unavailable = Diese Seite kann gerade nicht angezeigt werden.
delete-failed = Die Datei konnte gerade nicht gelöscht werden.
delete-title = Datei löschen
delete-question = { $name } endgültig löschen? Das kann nicht rückgängig gemacht werden.
delete-button = Löschen
delete-keep = Behalten
delete-done-title = Datei gelöscht
delete-done = { $name } wurde gelöscht.
