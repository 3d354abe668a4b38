// Policy evaluation lives here.
