# Der RSS-Feed eines freigegebenen Ordners, /rss/{id} (src/pages/rss.rs).
rss-shared-folder = Freigegebener Ordner
rss-description = Im Ordner { $name } freigegebene Dateien
