# El canal RSS de una carpeta compartida, /rss/{id} (src/pages/rss.rs).
rss-shared-folder = Carpeta compartida
rss-description = Archivos compartidos en la carpeta { $name }
