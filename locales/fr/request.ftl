request-page-title = Demande de fichiers
request-lead = { $name } vous demande des fichiers
request-unavailable = La demande de fichiers ne peut pas être ouverte pour le moment. Veuillez réessayer dans un instant.
request-not-found-title = Demande de fichiers introuvable
request-not-found-text = Il n’y a pas de demande de fichiers à cette adresse. Vérifiez le lien que vous avez reçu.
request-closed = Cette demande de fichiers est fermée : elle n’accepte plus de fichiers.
request-expired = Cette demande de fichiers a expiré : elle n’accepte plus de fichiers.
request-full = Cette demande de fichiers a reçu tous les fichiers qu’elle accepte.
request-cap-files = { $count ->
    [one] Jusqu’à { $count } fichier
   *[other] Jusqu’à { $count } fichiers
}
request-cap-bytes = Jusqu’à { $size } au total
request-cap-file-size = Jusqu’à { $size } par fichier
request-cap-until = Ouverte jusqu’au
request-private = Seule la personne qui demande voit ce que vous envoyez ; vous ne voyez rien de ce que d’autres ont envoyé.
request-password = Mot de passe de cette demande
request-open = Ouvrir
request-wrong-password = Mot de passe incorrect.
request-note = Une note pour le destinataire
request-receipt-title = Reçu
request-receipt-lead = Reçu par la demande de fichiers « { $title } » :
request-receipt-name = Fichier
request-receipt-size = Taille
request-receipt-bytes = Octets
request-receipt-checksum = Somme de contrôle BLAKE3
request-receipt-received = Reçu le
requests-title = Demandes de fichiers
requests-lead = Demandez des fichiers à n’importe qui : on dépose par le lien dans le dossier de votre choix, sans rien voir d’autre.
requests-none = Aucune demande de fichiers pour l’instant.
requests-col-title = Demande
requests-col-state = État
requests-col-received = Reçus
requests-col-until = Ouverte jusqu’au
requests-col-actions = Actions
requests-state-open = Ouverte
requests-state-closed = Fermée
requests-state-expired = Expirée
requests-state-full = Complète
requests-received = { $count ->
    [one] { $count } fichier, { $size }
   *[other] { $count } fichiers, { $size }
}
requests-never = Jamais
requests-1-day = 1 jour
requests-7-days = 7 jours
requests-30-days = 30 jours
requests-close = Fermer
requests-close-named = Fermer { $name }
requests-new = Nouvelle demande de fichiers
requests-field-title = Titre
requests-field-folder = Les fichiers arrivent dans
requests-field-message = Message affiché
requests-field-password = Mot de passe
requests-field-expires = Ouverte pendant
requests-field-max-files = Nombre de fichiers maximal
requests-field-max-mb = Mo au total au maximum
requests-field-max-file-mb = Mo par fichier au maximum
requests-field-notify = M’envoyer un courriel à chaque fichier reçu
requests-field-encrypted = Chiffrer les envois pour mes clés (de bout en bout)
requests-field-encrypted-hint = Le navigateur de chaque expéditeur chiffre les fichiers pour les clés age de votre page de compte ; vous seul pouvez les ouvrir.
requests-create = Créer la demande
