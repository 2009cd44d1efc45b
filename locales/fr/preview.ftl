# Aperçus et QR codes des pages de téléchargement et de dossier (src/pages/preview.rs).
preview-qr-unavailable = Ce QR code ne peut pas être affiché pour le moment.
preview-thumb-unavailable = Cette miniature ne peut pas être affichée pour le moment.
preview-of = Aperçu de { $name }
preview-open = Ouvrir l'aperçu
preview-qr-file = QR code de la page de téléchargement de { $name }
preview-qr-folder = QR code de la page du dossier { $name }
