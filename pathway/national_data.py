"""The shape of the national-size data set: names, places and the scheme's real proportions.

Data only, read by `pathway.national_caseload` (which turns it into rows) and the `load_national`
command. Proportions come from DOMAIN.md §9 (70–80 % women, ~22 % under 25, ~11 % with the CSS,
5–6 sessions per patient, ~20 % reaching the annual cap); the rest are plausible choices, named here.
"""

from datetime import date

# Scale: ~7,300 conventioned psychologists and over a million patients since April 2022.
FULL_PSYCHOLOGISTS = 7300
FULL_PATIENTS = 1_000_000
SMALL_PSYCHOLOGISTS = 50
SMALL_PATIENTS = 5000

# The benchmark's two psychologists, the same caseload in every data set so that pages compare.
BENCH_PASSWORD = "bench-soutien-psy"
# Their two-step login key (base32): the benchmark computes the current code from it to log in.
BENCH_TOTP_SECRET = "BENCHSOUTIENPSYBENCHSOUTIENPSY23"
LARGE_USERNAME = "bench-large"
LARGE_CASELOAD = 2000
AVERAGE_USERNAME = "bench-average"
AVERAGE_CASELOAD = 137  # 1,000,000 patients / 7,300 psychologists
OTHER_USERNAME = "psy-{:05d}"

WOMEN_SHARE = 0.74
# Age at the evaluation: (youngest, oldest, share). 13 % minors and 23 % under 25.
AGE_BANDS = (
    (3, 10, 0.05), (11, 17, 0.08), (18, 24, 0.10), (25, 34, 0.20), (35, 44, 0.20),
    (45, 54, 0.16), (55, 64, 0.11), (65, 74, 0.07), (75, 88, 0.03),
)
# Sessions a year grew from the 2022 launch to ~3 million: the year of a patient's first evaluation.
START_YEAR_WEIGHTS = {2022: 0.10, 2023: 0.17, 2024: 0.22, 2025: 0.27, 2026: 0.24}
LATEST_START_DAYS = 3  # a first evaluation is at least this many days before today

# What happens to a patient's first pathway (shares of patients).
STORY_SHARES = (
    ("awaiting", 0.025),  # opened in the last month, evaluation not yet held
    ("never_came", 0.01),  # opened, never evaluated, closed
    ("excluded", 0.04),
    ("reoriented", 0.015),  # suicide risk found at the evaluation
    ("care", 0.91),
)
CAP_REACHER_SHARE = 0.18  # of patients in care: they use every session of a year
RETURNING_SHARE = 0.09  # a second pathway after the first one closed
DECLARED_ELSEWHERE_SHARE = 0.03  # sessions declared done with another psychologist this year
# Follow-ups planned at the evaluation by those who do not use the whole year: weight by number.
PLANNED_FOLLOWUPS_WEIGHTS = {1: 4, 2: 8, 3: 12, 4: 14, 5: 13, 6: 11, 7: 9, 8: 5, 9: 3, 10: 2, 11: 2}
EARLY_STOP_SHARE = 0.35  # stop before the planned follow-ups (improved, or gave up)
MISSED_SHARE = 0.07  # a cancelled session or no-show before a held one
VIDEO_SHARE = 0.12  # of follow-ups
OUT_OF_SCHEME_AFTER_CAP_SHARE = 0.3
EMERGENCY_SHARE = 0.01  # suicide risk found at a follow-up: the pathway ends reoriented
NEVER_CLOSED_SHARE = 0.03  # the psychologist never closed it: a silent pathway
REFERRAL_AFTER_REFORM_SHARE = 0.35
WIDER_REFERRERS_SHARE = 0.06  # a midwife or school-health professional, once allowed
WEEKLY_SHARE = 0.55  # weekly sessions, otherwise fortnightly
DURATIONS = (30, 40, 45, 45, 45, 50, 60)
OUT_OF_SCHEME_FEES = ("50.00", "55.00", "60.00", "65.00", "70.00")

CSS_SHARE = 0.11
AME_SHARE = 0.015
ALD_SHARE = 0.06
MATERNITY_SHARE = 0.02  # of women aged 18–44
AT_MP_SHARE = 0.01
NIR_SHARE = 0.4
EMAIL_SHARE = 0.7
DOCTOR_SHARE = 0.85
SOLE_HOLDER_SHARE = 0.15  # of minors
ADULT_REASONS = ("anxiety_depression",) * 8 + ("substance_misuse", "eating_disorder")
# Why a pathway ends: after every planned follow-up, or earlier.
CLOSINGS_DONE = (("completed", 0.92), ("moved", 0.08))
CLOSINGS_EARLY = (("improved_early", 0.5), ("patient_stopped", 0.42), ("moved", 0.08))

ANSWERS_ELIGIBLE = {
    "affiliated": True, "suicide_risk": False, "acute_decompensation": False,
    "severe_anxiety_depression": False, "substance_dependence": False, "severe_eating_disorder": False,
    "neurodevelopmental_disorder": False, "major_withdrawal": False, "severe_behaviour_disorder": False,
    "treatment": "none", "treatment_started_on": None, "psychiatrist_opinion": False,
    "psychiatrist_opinion_on": None,
    "ald_psy_status": "no", "ald_psy_ended_on": None, "invalidity_status": "no", "invalidity_ended_on": None,
    "long_sick_leave_status": "no", "long_sick_leave_ended_on": None,
    "psychiatric_follow_up_status": "no", "psychiatric_follow_up_ended_on": None,
}
# (answer that excludes, share among exclusions); an adult-only or minor-only answer is swapped.
EXCLUSIONS_ADULT = ("severe_anxiety_depression", "substance_dependence", "severe_eating_disorder", "ald_psy")
EXCLUSIONS_MINOR = ("neurodevelopmental_disorder", "psychiatric_follow_up", "severe_behaviour_disorder")
ORIENTATIONS = (
    "Risque suicidaire repéré : appel au 3114 avec la personne, orientation le jour même vers les "
    "urgences psychiatriques.",
    "Idées suicidaires avec scénario : appel au 15, orientation immédiate vers le CMP du secteur ; "
    "médecin traitant prévenu avec l'accord du patient.",
    "Risque suicidaire : parents prévenus, orientation vers les urgences pédiatriques et la Maison des "
    "adolescents.",
)

WOMEN_FIRST_NAMES = (
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sophie", "Christine", "Céline", "Valérie",
    "Sandrine", "Stéphanie", "Véronique", "Émilie", "Julie", "Camille", "Léa", "Manon", "Chloé", "Inès",
    "Jade", "Louise", "Emma", "Zoé", "Anaïs", "Hélène", "Élodie", "Aurélie", "Mélanie", "Gaëlle",
    "Maëlle", "Océane", "Clémence", "Lætitia", "Noémie", "Éléonore", "Agnès", "Françoise", "Geneviève",
    "Thérèse", "Brigitte", "Monique", "Chantal", "Josiane", "Héloïse", "Margaux", "Pauline", "Justine",
    "Amélie", "Lucie", "Sarah", "Yasmine", "Fatima", "Aïcha", "Nadia", "Karine", "Delphine", "Anne-Sophie",
    "Marie-Hélène", "Bérénice", "Capucine", "Salomé", "Maëva", "Rosalie", "Jeanne", "Ophélie", "Mathilde",
    "Léna", "Lou", "Éva", "Charlotte", "Agathe", "Noëlle", "Cécile", "Danièle", "Michèle", "Héléna",
)
MEN_FIRST_NAMES = (
    "Jean", "Philippe", "Michel", "Alain", "Patrick", "Nicolas", "Christophe", "Pierre", "Christian",
    "Éric", "Frédéric", "Laurent", "Stéphane", "David", "Julien", "Sébastien", "Thomas", "Maxime",
    "Alexandre", "Antoine", "Lucas", "Hugo", "Louis", "Gabriel", "Léo", "Raphaël", "Noé", "Mathis",
    "Théo", "Loïc", "François", "Jérôme", "Benoît", "Clément", "Jérémy", "Grégoire", "Hervé", "Gérard",
    "Joël", "Anaël", "Mehdi", "Karim", "Yanis", "Rémi", "Aurélien", "Mickaël", "Cédric", "Émile",
    "Jean-François", "Pierre-Yves", "Timothée", "Bastien", "Valentin", "Adrien", "Killian", "Gaël",
)
LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure",
    "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand",
    "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
    "Gautier", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer",
    "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard",
    "Barbier", "Arnaud", "Martínez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin",
    "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix",
    "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey", "Léger", "Hoarau", "Payet", "Bénard",
    "Saïdi", "Benali", "Haddad", "Nguyen", "Da Silva", "Ferreira", "Lopes", "Santoni", "Le Goff", "Le Gall",
    "Kerbrat", "Müller", "Chérif", "Béranger", "Lévêque", "Prévost", "Ménard", "Hébert", "Côté", "Bézier",
    "Gauthé", "Lœuillet", "Dœuvre", "Éluard", "Évrard", "Étienne", "Ledoux", "Courtois", "Poirier",
)
STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Gambetta", "rue Pasteur",
    "place de l'Église", "rue des Écoles", "chemin des Vignes", "allée des Tilleuls",
    "rue du Général-de-Gaulle", "impasse des Lilas", "rue Émile Zola", "cours Lafayette", "quai de la Loire",
)
# (postcode, town, NIR department, NIR commune of birth) — Corsica and overseas included.
PLACES = (
    ("75011", "Paris", "75", "111"), ("69003", "Lyon", "69", "383"), ("13005", "Marseille", "13", "055"),
    ("31000", "Toulouse", "31", "555"), ("06000", "Nice", "06", "088"), ("44000", "Nantes", "44", "109"),
    ("67000", "Strasbourg", "67", "482"), ("34000", "Montpellier", "34", "172"),
    ("33000", "Bordeaux", "33", "063"), ("59000", "Lille", "59", "350"), ("35000", "Rennes", "35", "238"),
    ("42000", "Saint-Étienne", "42", "218"), ("38000", "Grenoble", "38", "185"), ("21000", "Dijon", "21", "231"),
    ("30000", "Nîmes", "30", "189"), ("63000", "Clermont-Ferrand", "63", "113"), ("29200", "Brest", "29", "019"),
    ("97400", "Saint-Denis", "97", "411"), ("20000", "Ajaccio", "2A", "004"), ("20200", "Bastia", "2B", "033"),
    ("37000", "Tours", "37", "261"), ("80000", "Amiens", "80", "021"), ("57000", "Metz", "57", "463"),
    ("76000", "Rouen", "76", "540"), ("14000", "Caen", "14", "118"), ("54000", "Nancy", "54", "395"),
    ("93100", "Montreuil", "93", "048"), ("94000", "Créteil", "94", "028"), ("95000", "Cergy", "95", "127"),
)
PARENT_FIRST_NAMES = (("Claire", "Julien"), ("Sandrine", "David"), ("Aurore", "Mickaël"), ("Élise", "Romain"),
                      ("Nadia", "Karim"), ("Céline", "Jérôme"), ("Hélène", "François"))
DECLARED_SOURCE = "Relevé ameli (psychologue précédent)"
CONVENTION_DATES = (date(2022, 1, 17), date(2022, 2, 14), date(2022, 3, 1), date(2022, 3, 28))
