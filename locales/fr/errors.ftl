# Les pages d'erreur communes (src/http/html.rs).
errors-not-found-title = Introuvable
errors-not-found-lead = Il n'y a rien ici.
errors-not-found-text = Le lien est peut-être mal saisi, ou ce vers quoi il pointait a été supprimé.
errors-upload-a-file = Envoyer un fichier
errors-try-later-title = Réessayez plus tard
errors-too-many-title = Trop de requêtes
errors-too-many-text = Trop de pages ont été demandées depuis votre adresse. Attendez { $seconds ->
        [one] { $seconds } seconde
       *[other] { $seconds } secondes
    } puis réessayez.
