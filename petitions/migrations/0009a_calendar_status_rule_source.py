"""Issue 12, items 1, 3, 5: the calendar says how far each day is known (Holiday/WorkingWeekend
status and source, CalendarYear), rules say whether their source was verified and carry the
denunciation's one ground for a longer acceptance (Luật Tố cáo art. 24(1)), cases carry that
ground and the art. 25 route (information, not a denunciation). Data: 0009b.

Adding NOT NULL columns makes SQLite rebuild petitions_case, which drops the full-text triggers of
0003: they are created again at the end, as 0005 does."""

import importlib

from django.db import migrations, models

recreate_search_triggers = importlib.import_module(
    "petitions.migrations.0005_denouncer_protection").recreate_search_triggers


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0008b_two_level_data'),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='năm')),
                ('confirmed', models.BooleanField(default=False, verbose_name='đã có lịch nghỉ chính thức')),
                ('source', models.CharField(blank=True, max_length=500, verbose_name='căn cứ')),
                ('note', models.TextField(blank=True, verbose_name='ghi chú')),
            ],
            options={
                'verbose_name': 'lịch nghỉ của năm',
                'verbose_name_plural': 'lịch nghỉ của năm',
                'ordering': ['year'],
            },
        ),
        migrations.AlterModelOptions(
            name='workingweekend',
            options={'ordering': ['date'], 'verbose_name': 'ngày nghỉ hằng tuần làm bù', 'verbose_name_plural': 'ngày nghỉ hằng tuần làm bù'},
        ),
        migrations.AddField(
            model_name='case',
            name='information_only',
            field=models.BooleanField(default=False, editable=False, verbose_name='thông tin có nội dung tố cáo (Điều 25 Luật Tố cáo)'),
        ),
        migrations.AddField(
            model_name='case',
            name='multi_site',
            field=models.BooleanField(default=False, verbose_name='phải kiểm tra, xác minh tại nhiều địa điểm'),
        ),
        migrations.AddField(
            model_name='deadlinerule',
            name='days_multi_site',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='thời hạn (phải xác minh tại nhiều địa điểm)'),
        ),
        migrations.AddField(
            model_name='deadlinerule',
            name='verified',
            field=models.BooleanField(default=True, verbose_name='đã kiểm chứng căn cứ'),
        ),
        migrations.AddField(
            model_name='holiday',
            name='source',
            field=models.CharField(blank=True, max_length=300, verbose_name='căn cứ'),
        ),
        migrations.AddField(
            model_name='holiday',
            name='status',
            field=models.CharField(choices=[('official', 'Đã công bố chính thức'), ('provisional', 'Dự kiến, chưa công bố'), ('unverified', 'Chưa kiểm chứng, chưa áp dụng'), ('off', 'Chưa áp dụng')], default='official', max_length=20, verbose_name='tình trạng'),
        ),
        migrations.AddField(
            model_name='workingweekend',
            name='source',
            field=models.CharField(blank=True, max_length=300, verbose_name='căn cứ'),
        ),
        migrations.AddField(
            model_name='workingweekend',
            name='status',
            field=models.CharField(choices=[('official', 'Đã công bố chính thức'), ('provisional', 'Dự kiến, chưa công bố'), ('unverified', 'Chưa kiểm chứng, chưa áp dụng'), ('off', 'Chưa áp dụng')], default='official', max_length=20, verbose_name='tình trạng'),
        ),
        migrations.AlterField(
            model_name='deadlinerule',
            name='law',
            field=models.CharField(max_length=500, verbose_name='căn cứ'),
        ),
        migrations.RunPython(recreate_search_triggers, migrations.RunPython.noop),
    ]
