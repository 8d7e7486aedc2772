"""The demo caseload's people, places and wording: data only, read by the `load_demo` command.

Realistic French names (accents included), a Lyon practice, the mix of ages and coverage of the
scheme's patients (DOMAIN.md §9). What happens to each patient is the command's `story_*` functions.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import User

USERNAME = "demo"
PASSWORD = "demo-soutien-psy"
# The demo's two-step login key (base32), fixed so that anyone running `make run` can add it to an
# authenticator app (README). A demo only: a real account gets a random key at its first login.
TOTP_SECRET = "DEMOSOUTIENPSYDEMOSOUTIENPSYDEMO"
PSYCHOLOGIST = {
    "first_name": "Camille", "last_name": "Rousseau", "email": "camille.rousseau@exemple.fr",
    "role": User.Role.PSYCHOLOGIST, "rpps": "10003456786", "adeli": "759300015",
    "practice_address": "27 rue Mercière\n69002 Lyon", "phone": "04 78 42 18 65",
    "is_conventioned": True, "convention_date": date(2022, 3, 1),
}


@dataclass(frozen=True)
class Spec:
    """One demo patient. `story` names what happens to them; `n` is the story's number."""

    first_name: str
    last_name: str
    sex: str
    age: int
    story: str
    n: int = 0
    # letter, referred (through the app, by the demo doctor), nir, corsica, css, ame, ald, maternity,
    # sole, video, antidepressant, opinion
    flags: str = ""


# 28 women and 12 men; 9 under 25, of whom 6 minors.
PATIENTS = (
    Spec("Hélène", "Martin", "F", 42, "in_care", 6, "nir"),
    Spec("Zoé", "Lefèvre", "F", 9, "in_care", 4, "letter"),
    Spec("Loïc", "Bernard", "M", 35, "cap", 11),
    Spec("François", "Dubois", "M", 58, "completed", 8, "letter nir"),
    Spec("Léa", "Moreau", "F", 24, "this_week", 3, "css"),
    Spec("Noé", "Laurent", "M", 3, "in_care", 2, "letter"),
    Spec("Anaïs", "Simon", "F", 31, "cap", 13, "nir"),
    Spec("Chloé", "Michel", "F", 27, "awaiting", 4),
    Spec("Élodie", "Garcia", "F", 45, "excluded"),
    Spec("Mathis", "Roux", "M", 16, "reoriented"),
    Spec("Inès", "Fournier", "F", 12, "in_care", 5, "sole"),
    Spec("Camille", "Girard", "F", 38, "declared", 5),
    Spec("Sébastien", "Bonnet", "M", 47, "new_year", 13, "nir"),
    Spec("Margaux", "Dupont", "F", 29, "silent", 3),
    Spec("Céline", "Lambert", "F", 52, "stopped", 3, "ald"),
    Spec("Jérôme", "Fontaine", "M", 61, "improved", 5, "letter"),
    Spec("Manon", "Vincent", "F", 19, "in_care", 7, "css"),
    Spec("Sophie", "Muller", "F", 66, "completed", 7, "nir"),
    Spec("Amélie", "Faure", "F", 33, "this_week", 8, "maternity"),
    Spec("Thomas", "André", "M", 26, "in_care", 1, "video"),
    Spec("Émilie", "Mercier", "F", 40, "returning", 5),
    Spec("Nathalie", "Blanc", "F", 55, "cap", 10, "ald"),
    Spec("Maëlle", "Guérin", "F", 15, "in_care", 3, "letter"),
    Spec("Julien", "Boyer", "M", 39, "awaiting", 1, "letter"),
    Spec("Aurélie", "Garnier", "F", 44, "in_care", 5, "antidepressant"),
    Spec("Brigitte", "Chevalier", "F", 72, "in_care", 4),
    Spec("Gaëlle", "François", "F", 36, "emergency", 4),
    Spec("Héloïse", "Legrand", "F", 26, "stopped", 2, "css"),
    Spec("Jacqueline", "Gauthier", "F", 80, "in_care", 3, "ald opinion"),
    Spec("Mélanie", "Perrin", "F", 34, "in_care", 0),
    Spec("Océane", "Robin", "F", 21, "this_week", 5, "video"),
    Spec("Lætitia", "Santoni", "F", 41, "improved", 4, "nir corsica"),
    Spec("Benoît", "Morel", "M", 50, "completed", 11, "referred"),
    Spec("Isabelle", "Fabre", "F", 48, "in_care", 9),
    Spec("Valérie", "Roche", "F", 63, "awaiting", 12),
    Spec("Clément", "Masson", "M", 14, "excluded"),
    Spec("Françoise", "Caron", "F", 69, "in_care", 6, "nir"),
    Spec("Karim", "Benali", "M", 28, "in_care", 5, "ame"),
    Spec("Yasmine", "Haddad", "F", 27, "in_care", 2, "css video"),
    Spec("Nicolas", "Marchand", "M", 43, "this_week", 2, "letter"),
)

DOCTORS = (
    ("Dr Nathalie Girard", "8 rue Paul Bert\n69003 Lyon"),
    ("Dr Olivier Mathieu", "24 cours Vitton\n69006 Lyon"),
    ("Dr Sandrine Lemaire", "3 place Jean Macé\n69007 Lyon"),
    ("Dr Pierre-Yves Caillaud", "15 grande rue de la Croix-Rousse\n69004 Lyon"),
    ("Dr Mehdi Saïdi", "2 rue de Brest\n69002 Lyon"),
    ("Dr Claire Vidal", "61 avenue Jean Jaurès\n69100 Villeurbanne"),
)
PAEDIATRICIAN = ("Dr Anne-Sophie Renaud (pédiatre)", "40 avenue Berthelot\n69007 Lyon")
STREETS = (
    "rue de la République\n69002 Lyon", "cours Lafayette\n69003 Lyon", "rue d'Austerlitz\n69004 Lyon",
    "avenue des Frères Lumière\n69008 Lyon", "rue Garibaldi\n69006 Lyon", "rue de Marseille\n69007 Lyon",
    "cours Émile Zola\n69100 Villeurbanne", "rue Victor Hugo\n69800 Saint-Priest",
)
# (department, commune) of birth for the NIR: Lyon, Paris, Marseille, Grenoble, Saint-Étienne.
BIRTHPLACES = (("69", "123"), ("69", "383"), ("75", "056"), ("13", "055"), ("38", "185"), ("42", "218"))
PARENT_NAMES = (("Claire", "Julien"), ("Sandrine", "David"), ("Aurore", "Mickaël"), ("Élise", "Romain"))
ADULT_REASONS = ("anxiety_depression",) * 7 + ("substance_misuse", "eating_disorder")
DURATIONS = (30, 40, 45, 45, 50)
VIDEO_SHARE = 0.12  # below the 20 % warning threshold across the caseload
OUT_OF_SCHEME_FEE = Decimal("55.00")
ORIENTATIONS = {
    "adult": "Risque suicidaire repéré : appel au 3114 avec la personne, orientation le jour même vers "
             "les urgences psychiatriques (CH Le Vinatier, Bron).",
    "minor": "Risque suicidaire repéré : parents prévenus, orientation le jour même vers les urgences "
             "pédiatriques (HFME, Bron) et la Maison des adolescents.",
    "follow_up": "Idées suicidaires avec scénario : appel au 15, orientation immédiate vers le CMP du "
                 "secteur ; médecin traitant prévenu avec l'accord de la patiente.",
}

# The GP side: a doctor with an account, and the referrals waiting in the psychologist's inbox.
DOCTOR_USERNAME = "anne.leroy@exemple.fr"
DOCTOR_PASSWORD = "demo-medecin-psy"
DOCTOR = {
    "email": DOCTOR_USERNAME, "first_name": "Anne", "last_name": "Leroy", "profession": "gp",
    "number": "10100000008", "practice_address": "3 rue des Lilas\n69003 Lyon", "phone": "04 78 60 12 34",
}
DOCTOR_AS_REFERRER = {
    "referrer_last_name": "Leroy", "referrer_first_name": "Anne", "referrer_profession": "gp",
    "referrer_number": "10100000008", "referrer_address": "3 rue des Lilas\n69003 Lyon",
    "referrer_phone": "04 78 60 12 34", "referrer_email": DOCTOR_USERNAME,
}
REFERRAL_REASONS = {
    "Benoît Morel": (
        "Anxiété généralisée depuis une restructuration au travail ; troubles du sommeil.",
        "Patient suivi au cabinet depuis 2015. Pas d'antécédent psychiatrique. Souhaite une aide non "
        "médicamenteuse ; je le revois dans 3 mois.",
    ),
}
# (sent from the doctor's account?, fields): waiting in the inbox when the demo starts.
PENDING_REFERRALS = (
    (True, {**DOCTOR_AS_REFERRER, "patient_last_name": "Lemoine", "patient_first_name": "Jérémy",
            "patient_birth_date": date(1987, 9, 14), "patient_phone": "06 41 22 73 90",
            "reason": "Épisode dépressif léger après une séparation ; arrêt de travail de 2 semaines.",
            "clinical_context": "Pas d'idées suicidaires à l'entretien du 18/11. Sertraline 50 mg débutée.",
            "psychotropic_treatment": "Sertraline 50 mg/j", "psychotropic_started_on": None}),
    (False, {"referrer_last_name": "Bouvier", "referrer_first_name": "Maud", "referrer_profession": "midwife",
             "referrer_number": "10100000016", "referrer_address": "Maternité de la Croix-Rousse\n69004 Lyon",
             "referrer_phone": "04 26 73 00 00", "referrer_email": "",
             "patient_last_name": "N'Diaye", "patient_first_name": "Aïssatou",
             "patient_birth_date": date(1996, 2, 3), "patient_phone": "07 68 15 42 09",
             "reason": "Anxiété importante en fin de grossesse (7e mois), premier enfant.",
             "clinical_context": "", "psychotropic_treatment": "", "psychotropic_started_on": None}),
    (False, {"referrer_last_name": "Roussel", "referrer_first_name": "Thierry", "referrer_profession": "gp",
             "referrer_number": "10100000024", "referrer_address": "12 cours Gambetta\n69007 Lyon",
             "referrer_phone": "04 78 72 00 11", "referrer_email": "",
             "patient_last_name": "Perret", "patient_first_name": "Cédric",
             "patient_birth_date": date(1979, 6, 30), "patient_phone": "06 33 90 17 25",
             "reason": "Consommation d'alcool en hausse depuis un deuil.",
             "clinical_context": "Suivi psychiatrique en 2023 pour un épisode dépressif.",
             "psychotropic_treatment": "", "psychotropic_started_on": None,
             "screen_psychiatric_follow_up": True}),
)
DECLINED_REFERRAL = {
    **DOCTOR_AS_REFERRER, "patient_last_name": "Carpentier", "patient_first_name": "Lucas",
    "patient_birth_date": date(2001, 11, 2), "patient_phone": "06 70 11 48 62",
    "reason": "Troubles anxieux, souhaite un suivi en soirée.", "clinical_context": "",
    "psychotropic_treatment": "", "psychotropic_started_on": None,
}
END_OF_CARE = {
    "evolution": "Diminution nette de l'anxiété et des ruminations ; le sommeil s'est régularisé. "
                 "Reprise d'activités sportives et meilleure gestion des situations de stress au travail.",
    "outcome": "improved", "follow_up_needed": False, "orientation": "none",
}
