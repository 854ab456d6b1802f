insert into outbox_settings (bucket_count) values (?) on conflict (singleton) do nothing
