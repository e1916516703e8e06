"""Finnish: "5. tammikuuta 2027" (the month in the partitive after an ordinal, Django's "E"),
"5. tammikuuta 2027 klo 14.30", and the short "5.1.2027" (Kielitoimisto's recommendation)."""

DATE_FORMAT = "j. E Y"
TIME_FORMAT = "G.i"
DATETIME_FORMAT = r"j. E Y \k\l\o G.i"
YEAR_MONTH_FORMAT = "F Y"  # a heading: "tammikuu 2027", the nominative
MONTH_DAY_FORMAT = "j. E"
SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y G.i"
FIRST_DAY_OF_WEEK = 1  # Monday
