"""English as an EU organisation writes it, day before month like en-GB: "5 January 2027",
"5 January 2027, 14:30", a 24-hour clock, and a short form that cannot be misread ("5 Jan 2027",
never "01/05/2027", which is 1 May in Europe and 5 January in the US).

The page language is "en", and Django looks for formats of "en" only (to_locale("en") has no
region, so its en_GB module is never consulted): hence this module rather than a language code
of "en-gb" that the whole desk (cookies, emails, the language switcher) would have to carry."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
