from rest_framework import serializers


class OrganizationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    slug = serializers.CharField()
    name = serializers.CharField()


class OrganizationDetailSerializer(OrganizationSerializer):
    country = serializers.CharField(help_text="ISO 3166 alpha-2; its holidays.")
    time_zone = serializers.CharField(help_text="Where its local dates and business days run.")


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    organization = serializers.SlugField(max_length=64, required=False, allow_blank=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    organization = OrganizationSerializer()
    role = serializers.CharField()
    expires_at = serializers.DateTimeField()


class UserSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    language = serializers.CharField()
    time_zone = serializers.CharField()


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    organization = OrganizationDetailSerializer()
    role = serializers.CharField()
