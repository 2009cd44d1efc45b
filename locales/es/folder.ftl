# La página de una carpeta compartida, /folder/{id} (src/pages/folder.rs).
folder-unavailable = Esta carpeta no se puede mostrar en este momento.
folder-empty = Esta carpeta está vacía.
folder-name = Nombre
folder-size = Tamaño
folder-uploaded = Subido
folder-shared = Carpeta compartida
folder-rss = Canal RSS
