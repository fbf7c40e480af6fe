"""`{{ parcel.tracking_problem|tracking_problem }}`: what is wrong with a tracking number,
in the reader's language."""

from django import template

from orders.tracking import problem_in_words

register = template.Library()


@register.filter
def tracking_problem(problem):
    return problem_in_words(problem)
