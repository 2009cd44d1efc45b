# Previews and QR codes on the download and folder pages (src/pages/preview.rs).
preview-qr-unavailable = This QR code cannot be shown right now.
preview-thumb-unavailable = This thumbnail cannot be shown right now.
preview-of = Preview of { $name }
preview-open = Open the preview
preview-qr-file = QR code for the download page of { $name }
preview-qr-folder = QR code for the page of the folder { $name }
