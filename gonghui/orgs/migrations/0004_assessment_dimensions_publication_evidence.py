"""Dimensions become rows (with their points and order), schemes get a total and a publication time, and
assessments get evidence files. Schemes that exist already were in use, so they count as published."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def dimensions_from_names(apps, schema_editor):
    Scheme = apps.get_model("orgs", "AssessmentScheme")
    Dimension = apps.get_model("orgs", "AssessmentDimension")
    for scheme in Scheme.objects.all():
        dimensions, total = {}, 0
        for position, indicator in enumerate(scheme.indicators.order_by("id")):
            if indicator.dimension not in dimensions:
                dimensions[indicator.dimension] = Dimension.objects.create(
                    scheme=scheme, name=indicator.dimension, points=0, position=len(dimensions))
            dimension = dimensions[indicator.dimension]
            dimension.points += indicator.weight
            total += indicator.weight
            indicator.dimension_row, indicator.position = dimension, position
            indicator.save(update_fields=["dimension_row", "position"])
        for dimension in dimensions.values():
            dimension.save(update_fields=["points"])
        scheme.total_points, scheme.published_at = total or 100, scheme.created_at
        scheme.save(update_fields=["total_points", "published_at"])


def names_from_dimensions(apps, schema_editor):
    Indicator = apps.get_model("orgs", "AssessmentIndicator")
    for indicator in Indicator.objects.select_related("dimension_row"):
        indicator.dimension = indicator.dimension_row.name
        indicator.save(update_fields=["dimension"])


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0003_assessment_awarded_by_assessment_recommended_by_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="assessmentscheme",
            name="total_points",
            field=models.PositiveSmallIntegerField(default=100, verbose_name="总分"),
        ),
        migrations.AddField(
            model_name="assessmentscheme",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="发布时间"),
        ),
        migrations.CreateModel(
            name="AssessmentDimension",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50, verbose_name="维度")),
                ("points", models.PositiveSmallIntegerField(verbose_name="分值")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="顺序")),
                ("scheme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="dimensions",
                                             to="orgs.assessmentscheme", verbose_name="评价方案")),
            ],
            options={"verbose_name": "评价维度", "verbose_name_plural": "评价维度", "ordering": ["position", "id"]},
        ),
        migrations.AddConstraint(
            model_name="assessmentdimension",
            constraint=models.UniqueConstraint(fields=("scheme", "name"), name="assessment_dimension_unique_name"),
        ),
        migrations.AddField(
            model_name="assessmentindicator",
            name="position",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="顺序"),
        ),
        migrations.AddField(
            model_name="assessmentindicator",
            name="dimension_row",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="indicators",
                                    to="orgs.assessmentdimension", verbose_name="维度"),
        ),
        migrations.RunPython(dimensions_from_names, names_from_dimensions),
        # a default, so that migrating back can re-add the column before names_from_dimensions fills it
        migrations.AlterField(model_name="assessmentindicator", name="dimension",
                              field=models.CharField(default="", max_length=50, verbose_name="维度")),
        migrations.RemoveField(model_name="assessmentindicator", name="dimension"),
        migrations.RenameField(model_name="assessmentindicator", old_name="dimension_row", new_name="dimension"),
        migrations.AlterField(
            model_name="assessmentindicator",
            name="dimension",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="indicators",
                                    to="orgs.assessmentdimension", verbose_name="维度"),
        ),
        migrations.AlterModelOptions(
            name="assessmentindicator",
            options={"ordering": ["dimension__position", "dimension_id", "position", "id"], "verbose_name": "评价指标",
                     "verbose_name_plural": "评价指标"},
        ),
        migrations.CreateModel(
            name="AssessmentEvidence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("file", models.FileField(upload_to="assessments/%Y/%m/", verbose_name="文件")),
                ("name", models.CharField(max_length=100, verbose_name="文件名")),
                ("size", models.PositiveIntegerField(verbose_name="大小（字节）")),
                ("assessment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="files",
                                                 to="orgs.assessment", verbose_name="工会评价")),
                ("indicator", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                                to="orgs.assessmentindicator", verbose_name="对应指标")),
                ("uploaded_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                  to=settings.AUTH_USER_MODEL, verbose_name="上传人")),
            ],
            options={"verbose_name": "佐证材料", "verbose_name_plural": "佐证材料", "ordering": ["pk"]},
        ),
    ]
