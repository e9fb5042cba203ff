# One time format per language, the 24-hour clock of the store's own signs: Django's English
# "6:42 a.m." ended sentences in "a.m.." and mixed with the "18:42" of other pages.
DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
