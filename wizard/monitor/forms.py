"""Forms of the jobs page: each carries the CSRF token; the job is named in a field, not in the URL."""
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, Length


class JobForm(FlaskForm):
    job_id = HiddenField(validators=[InputRequired(), Length(max=200)])


class AllJobsForm(FlaskForm):
    pass
