from rest_framework.metadata import SimpleMetadata


class PublicMetadata(SimpleMetadata):
    """OPTIONS tells the name, the description and the media types of an endpoint.

    DRF's default also describes the write forms, which looks the object up (a query with
    whatever the path holds) and repeats what the OpenAPI schema already documents.
    """

    def determine_actions(self, request, view):
        return {}
