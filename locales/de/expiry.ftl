# Der Verlängerungslink einer Ablaufwarnung, /extend/… (src/pages/extend.rs),
# sowie „Verlängern“ und der Papierkorb in Meine Dateien (src/pages/my_files/).
extend-title = Länger behalten
extend-question = { $name } läuft am { $date } ab. Länger behalten?
extend-button = Verlängern
extend-done-title = Verlängert
extend-done = { $name } läuft jetzt am { $date } ab.
extend-invalid-title = Link ungültig
extend-invalid = Dieser Link gilt nicht mehr: Das Objekt ist abgelaufen, wurde schon verlängert, oder der Link ist unvollständig.
extend-unavailable = Diese Seite kann gerade nicht angezeigt werden.
my-files-extend = Verlängern
trash-title = Papierkorb
trash-link = Papierkorb
trash-empty = Der Papierkorb ist leer.
trash-intro = Gelöschte und abgelaufene Dateien bleiben hier bis zu ihrer endgültigen Löschung; bis dahin können Sie sie wiederherstellen.
trash-name = Name
trash-size = Größe
trash-when = Gelöscht
trash-purge = Endgültig gelöscht am
trash-reason-deleted = gelöscht
trash-reason-expired = abgelaufen
trash-restore = Wiederherstellen
trash-delete = Endgültig löschen
trash-restored = Die Datei wurde wiederhergestellt.
trash-purged = Die Datei wurde endgültig gelöscht.
trash-over-quota = Nicht genug Speicherplatz, um diese Datei wiederherzustellen.
delete-question-trash = { $name } löschen? Die Datei bleibt eine Zeit lang im Papierkorb ihres Besitzers und kann von dort wiederhergestellt werden.
