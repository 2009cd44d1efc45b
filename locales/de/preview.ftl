# Vorschauen und QR-Codes auf Download- und Ordnerseiten (src/pages/preview.rs).
preview-qr-unavailable = Dieser QR-Code kann gerade nicht angezeigt werden.
preview-thumb-unavailable = Dieses Vorschaubild kann gerade nicht angezeigt werden.
preview-of = Vorschau von { $name }
preview-open = Vorschau öffnen
preview-qr-file = QR-Code der Download-Seite von { $name }
preview-qr-folder = QR-Code der Seite des Ordners { $name }
