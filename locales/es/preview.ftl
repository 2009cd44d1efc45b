# Vistas previas y códigos QR de las páginas de descarga y de carpeta (src/pages/preview.rs).
preview-qr-unavailable = Este código QR no se puede mostrar en este momento.
preview-thumb-unavailable = Esta miniatura no se puede mostrar en este momento.
preview-of = Vista previa de { $name }
preview-open = Abrir la vista previa
preview-qr-file = Código QR de la página de descarga de { $name }
preview-qr-folder = Código QR de la página de la carpeta { $name }
