from rest_framework import serializers

from accounts.models import Organization


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "slug", "name", "verified", "country"]
        read_only_fields = fields
