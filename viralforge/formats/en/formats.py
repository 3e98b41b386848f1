"""English date formats: Django's "a.m."/"p.m." end a sentence with a double period ("valid until
Dec. 10, 2026, 9:24 a.m.."); "AM"/"PM" do not."""

TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "N j, Y, g:i A"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
